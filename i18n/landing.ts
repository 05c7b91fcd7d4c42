import { section } from '.';

/** The landing page at `/`: what Aura Engage is and where to go next. */
export const landing = section(
  {
    title: 'Aura Engage',
    tagline: 'Automated customer support on WhatsApp, built on Temporal.',
    intro:
      'Every customer message reaches a durable conversation that answers it, looks up orders, quotes shipping and hands the chat to a person when needed. Nothing the webhook accepted is lost, and what we keep about a customer is encrypted, kept only as long as the business chooses, and erased on request.',
    'console.title': 'Agent console',
    'console.text':
      'Take over conversations, answer customers and see their orders. Sign in with an API key of scope agent.',
    'sandbox.title': 'Phone sandbox',
    'sandbox.text':
      'Chat with the bot as a customer would, through a simulated WhatsApp: no Meta account needed.',
    'docs.title': 'API reference',
    'docs.text':
      'Every route of the REST API, with its inputs, answers and errors. Try them with your API key.',
    'openapi.link': 'OpenAPI 3.1 document',
    'language.label': 'Language',
  },
  {
    title: 'Aura Engage',
    tagline: 'Atención al cliente automatizada en WhatsApp, construida sobre Temporal.',
    intro:
      'Cada mensaje de un cliente llega a una conversación duradera que lo responde, consulta pedidos, cotiza envíos y pasa el chat a una persona cuando hace falta. Nada de lo que el webhook aceptó se pierde, y lo que guardamos de un cliente está cifrado, se conserva solo el tiempo que la empresa decide y se borra cuando se pide.',
    'console.title': 'Consola de agentes',
    'console.text':
      'Tome conversaciones, responda a los clientes y vea sus pedidos. Entre con una clave de API con el alcance agent.',
    'sandbox.title': 'Teléfono de prueba',
    'sandbox.text':
      'Chatee con el bot como lo haría un cliente, en un WhatsApp simulado: sin cuenta de Meta.',
    'docs.title': 'Referencia de la API',
    'docs.text':
      'Todas las rutas de la API REST, con sus entradas, respuestas y errores. Pruébelas con su clave de API.',
    'openapi.link': 'Documento OpenAPI 3.1',
    'language.label': 'Idioma',
  },
  {
    title: 'Aura Engage',
    tagline: 'Atendimento ao cliente automatizado no WhatsApp, construído sobre o Temporal.',
    intro:
      'Cada mensagem de um cliente chega a uma conversa durável que a responde, consulta pedidos, calcula o frete e passa o chat a uma pessoa quando é preciso. Nada do que o webhook aceitou se perde, e o que guardamos de um cliente é cifrado, mantido apenas pelo tempo que a empresa escolhe e apagado a pedido.',
    'console.title': 'Console de agentes',
    'console.text':
      'Assuma conversas, responda aos clientes e veja os pedidos deles. Entre com uma chave de API com o escopo agent.',
    'sandbox.title': 'Telefone de teste',
    'sandbox.text': 'Converse com o bot como um cliente faria, num WhatsApp simulado: sem conta da Meta.',
    'docs.title': 'Referência da API',
    'docs.text':
      'Todas as rotas da API REST, com entradas, respostas e erros. Experimente-as com a sua chave de API.',
    'openapi.link': 'Documento OpenAPI 3.1',
    'language.label': 'Idioma',
  },
);
