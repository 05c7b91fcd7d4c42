import type { OutboundContent } from '../../whatsapp/outbound';
import type { Language } from '../../nlu/port';

/**
 * What the bot says, in English, Spanish and Portuguese. Button and list row ids are the actions
 * they trigger (`menu:<intent>`, `callback:yes|no`), so a tap maps to an action without NLU.
 */
type Phrase =
  | 'greeting'
  | 'menu'
  | 'menuButton'
  | 'askOrder'
  | 'orderNotFound'
  | 'orderFound'
  | 'askDestination'
  | 'quoteUnavailable'
  | 'quote'
  | 'queued'
  | 'slaExpired'
  | 'callbackOffer'
  | 'callbackNoted'
  | 'callbackDeclined'
  | 'agentJoined'
  | 'resolved'
  | 'agentIdle'
  | 'thanks'
  | 'fallback'
  | 'optedOut'
  | 'optedIn'
  | 'goodbye';

const TEXT: Record<Language, Record<Phrase, string>> = {
  en: {
    greeting: 'Hi! 👋 How can we help you today?',
    menu: 'Here is what I can help you with:',
    menuButton: 'Options',
    askOrder: 'Please send me your order number (for example #1234).',
    orderNotFound: "I couldn't find order {0}. Please check the number, or ask for a person.",
    orderFound: 'Order {0}: {1}',
    askDestination: 'Where should we ship to? Send me the city or postal code.',
    quoteUnavailable: "I can't quote shipping to {0} right now. A person can help you with that.",
    quote: 'Shipping to {0}: {1}',
    queued: "I'm connecting you with a member of our team. Someone will be with you shortly.",
    slaExpired:
      "Sorry for the wait, our team is busier than usual. You're still in the queue and we've moved you up.",
    callbackOffer:
      "We couldn't get a team member to you in time. Shall we contact you later? Meanwhile I'm here to help.",
    callbackNoted: "Thanks! We've noted your request and a team member will get back to you here.",
    callbackDeclined: 'No problem. Type "menu" any time to see what I can do.',
    agentJoined: "You're now chatting with a member of our team.",
    resolved: 'Our team member has closed this chat. I am here if you need anything else.',
    agentIdle: 'Our team member had to step away; we are finding someone else to help you.',
    thanks: "You're welcome! Have a great day. 👋",
    fallback: 'Sorry, I did not understand that. Type "menu" to see what I can do.',
    optedOut:
      "You've been unsubscribed and won't receive more messages from us. Reply START to subscribe again.",
    optedIn: "Welcome back! You'll receive our messages again.",
    goodbye: 'Thanks for chatting with us. Goodbye! 👋',
  },
  es: {
    greeting: '¡Hola! 👋 ¿Cómo podemos ayudarte hoy?',
    menu: 'Esto es lo que puedo hacer por ti:',
    menuButton: 'Opciones',
    askOrder: 'Envíame tu número de pedido (por ejemplo #1234).',
    orderNotFound: 'No encontré el pedido {0}. Revisa el número o pide hablar con una persona.',
    orderFound: 'Pedido {0}: {1}',
    askDestination: '¿A dónde lo enviamos? Envíame la ciudad o el código postal.',
    quoteUnavailable: 'Ahora no puedo cotizar el envío a {0}. Una persona puede ayudarte.',
    quote: 'Envío a {0}: {1}',
    queued: 'Te estoy conectando con una persona de nuestro equipo. Te atenderán en breve.',
    slaExpired:
      'Perdona la espera, hay más demanda de lo habitual. Sigues en la cola y te hemos dado prioridad.',
    callbackOffer:
      'No pudimos atenderte a tiempo. ¿Quieres que te contactemos más tarde? Mientras tanto, sigo aquí.',
    callbackNoted: '¡Gracias! Hemos anotado tu solicitud y alguien del equipo te escribirá aquí.',
    callbackDeclined: 'Sin problema. Escribe "menú" cuando quieras ver lo que puedo hacer.',
    agentJoined: 'Ahora estás hablando con una persona de nuestro equipo.',
    resolved: 'Nuestro equipo ha cerrado esta conversación. Sigo aquí si necesitas algo más.',
    agentIdle: 'La persona que te atendía tuvo que ausentarse; estamos buscando a otra.',
    thanks: '¡De nada! Que tengas un buen día. 👋',
    fallback: 'Perdona, no lo he entendido. Escribe "menú" para ver lo que puedo hacer.',
    optedOut: 'Te has dado de baja y no recibirás más mensajes. Responde START para volver a suscribirte.',
    optedIn: '¡Bienvenido de nuevo! Volverás a recibir nuestros mensajes.',
    goodbye: 'Gracias por escribirnos. ¡Hasta pronto! 👋',
  },
  pt: {
    greeting: 'Olá! 👋 Como podemos ajudar hoje?',
    menu: 'Veja como posso ajudar:',
    menuButton: 'Opções',
    askOrder: 'Envie o número do seu pedido (por exemplo #1234).',
    orderNotFound: 'Não encontrei o pedido {0}. Confira o número ou peça para falar com uma pessoa.',
    orderFound: 'Pedido {0}: {1}',
    askDestination: 'Para onde vamos enviar? Envie a cidade ou o CEP.',
    quoteUnavailable: 'Não consigo calcular o frete para {0} agora. Uma pessoa pode ajudar.',
    quote: 'Frete para {0}: {1}',
    queued: 'Estou transferindo você para uma pessoa da nossa equipe. Em breve alguém vai atender.',
    slaExpired:
      'Desculpe a demora, a procura está maior que o normal. Você continua na fila, agora com prioridade.',
    callbackOffer:
      'Não conseguimos atender a tempo. Quer que a gente entre em contato depois? Enquanto isso, estou aqui.',
    callbackNoted: 'Obrigado! Anotamos seu pedido e alguém da equipe vai responder aqui.',
    callbackDeclined: 'Sem problemas. Digite "menu" quando quiser ver o que posso fazer.',
    agentJoined: 'Agora você está falando com uma pessoa da nossa equipe.',
    resolved: 'Nossa equipe encerrou esta conversa. Estou aqui se precisar de mais alguma coisa.',
    agentIdle: 'A pessoa que atendia precisou sair; estamos procurando outra para ajudar.',
    thanks: 'De nada! Tenha um ótimo dia. 👋',
    fallback: 'Desculpe, não entendi. Digite "menu" para ver o que posso fazer.',
    optedOut: 'Você cancelou a inscrição e não receberá mais mensagens. Responda START para voltar.',
    optedIn: 'Bem-vindo de volta! Você voltará a receber nossas mensagens.',
    goodbye: 'Obrigado pelo contato. Até logo! 👋',
  },
};

const MENU: Record<Language, { id: string; title: string }[]> = {
  en: [
    { id: 'menu:order_status', title: 'Order status' },
    { id: 'menu:shipping_quote', title: 'Shipping cost' },
    { id: 'menu:human_agent', title: 'Talk to a person' },
  ],
  es: [
    { id: 'menu:order_status', title: 'Estado del pedido' },
    { id: 'menu:shipping_quote', title: 'Costo de envío' },
    { id: 'menu:human_agent', title: 'Hablar con alguien' },
  ],
  pt: [
    { id: 'menu:order_status', title: 'Status do pedido' },
    { id: 'menu:shipping_quote', title: 'Valor do frete' },
    { id: 'menu:human_agent', title: 'Falar com alguém' },
  ],
};

const CALLBACK: Record<Language, { id: string; title: string }[]> = {
  en: [
    { id: 'callback:yes', title: 'Yes, contact me' },
    { id: 'callback:no', title: 'No, thanks' },
  ],
  es: [
    { id: 'callback:yes', title: 'Sí, contáctenme' },
    { id: 'callback:no', title: 'No, gracias' },
  ],
  pt: [
    { id: 'callback:yes', title: 'Sim, me contatem' },
    { id: 'callback:no', title: 'Não, obrigado' },
  ],
};

/** A phrase as text, with `{0}`, `{1}` … filled in. */
export function say(lang: Language, phrase: Phrase, ...args: string[]): OutboundContent {
  const body = TEXT[lang][phrase].replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? '');
  return { type: 'text', body };
}

/** The greeting with the main actions as buttons. */
export function greetingWithButtons(lang: Language): OutboundContent {
  return { type: 'buttons', body: TEXT[lang].greeting, buttons: MENU[lang] };
}

/** The menu as an interactive list. */
export function menuList(lang: Language): OutboundContent {
  return {
    type: 'list',
    body: TEXT[lang].menu,
    button: TEXT[lang].menuButton,
    sections: [{ rows: MENU[lang] }],
  };
}

/** The callback offer after the maximum wait, with yes/no buttons. */
export function callbackOffer(lang: Language): OutboundContent {
  return { type: 'buttons', body: TEXT[lang].callbackOffer, buttons: CALLBACK[lang] };
}
