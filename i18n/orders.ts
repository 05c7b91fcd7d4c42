import { section } from '.';

/**
 * What a customer is told about an order: the order workflow's notifications and the chat's answer
 * to "where is my order?". Amounts and dates arrive formatted for the language and the client's
 * timezone; `{instructions}` is the client's payment text (in this language when it gave one).
 */
export const orders = section(
  {
    confirmation: 'Thank you! Order {order}: items {items} + shipping {shipping} = {total}.',
    payBy: '{instructions} Please pay by {deadline}.',
    paymentInstructions: 'Reply here or use the payment link we send you.',
    paymentReceived: 'We received your payment for order {order}. We will let you know when it ships.',
    shipped: 'Order {order} is on its way with {carrier}, tracking number {tracking}.',
    trackIt: 'Track it: {url}',
    delivered: 'Order {order} has been delivered. Enjoy!',
    cancelled: 'Order {order} has been cancelled.',
    refunded: 'We refunded order {order}; the money is on its way back to you.',
    paymentExpired: 'We did not receive payment for order {order} in time, so it has been cancelled.',
    'status.created': 'Order {order} is being prepared.',
    'status.awaiting_payment': 'Order {order} is waiting for payment: {total} by {deadline}.',
    'status.paid': 'Order {order} is paid and being prepared for shipping.',
    'status.shipped': 'Order {order} has shipped with {carrier}, tracking number {tracking}.',
    'status.delivered': 'Order {order} has been delivered.',
    'status.cancelled': 'Order {order} has been cancelled.',
    'status.refunded': 'Order {order} has been refunded.',
    theCarrier: 'the carrier',
    'catalogue.unreadable': 'Sorry, I could not read that order. Please try again from the catalogue.',
    'catalogue.needsAddress':
      'Thanks for your order! Where should we deliver it? Please send the full address with postal code and country.',
    'catalogue.notShipped': "Sorry, we don't ship there, so we could not take this order.",
  },
  {
    confirmation: '¡Gracias! Pedido {order}: artículos {items} + envío {shipping} = {total}.',
    payBy: '{instructions} Paga antes del {deadline}.',
    paymentInstructions: 'Responde aquí o usa el enlace de pago que te enviamos.',
    paymentReceived: 'Hemos recibido tu pago del pedido {order}. Te avisaremos cuando salga.',
    shipped: 'El pedido {order} va en camino con {carrier}, número de seguimiento {tracking}.',
    trackIt: 'Síguelo: {url}',
    delivered: 'El pedido {order} ha sido entregado. ¡Que lo disfrutes!',
    cancelled: 'El pedido {order} ha sido cancelado.',
    refunded: 'Hemos reembolsado el pedido {order}; el dinero está en camino.',
    paymentExpired: 'No recibimos el pago del pedido {order} a tiempo, así que ha sido cancelado.',
    'status.created': 'El pedido {order} se está preparando.',
    'status.awaiting_payment': 'El pedido {order} está pendiente de pago: {total} antes del {deadline}.',
    'status.paid': 'El pedido {order} está pagado y se está preparando para el envío.',
    'status.shipped': 'El pedido {order} ha salido con {carrier}, número de seguimiento {tracking}.',
    'status.delivered': 'El pedido {order} ha sido entregado.',
    'status.cancelled': 'El pedido {order} ha sido cancelado.',
    'status.refunded': 'El pedido {order} ha sido reembolsado.',
    theCarrier: 'la transportista',
    'catalogue.unreadable': 'Lo siento, no pude leer ese pedido. Inténtalo de nuevo desde el catálogo.',
    'catalogue.needsAddress':
      '¡Gracias por tu pedido! ¿A dónde lo entregamos? Envía la dirección completa con código postal y país.',
    'catalogue.notShipped': 'Lo siento, no enviamos allí, así que no pudimos aceptar este pedido.',
  },
  {
    confirmation: 'Obrigado! Pedido {order}: itens {items} + frete {shipping} = {total}.',
    payBy: '{instructions} Pague até {deadline}.',
    paymentInstructions: 'Responda aqui ou use o link de pagamento que enviamos.',
    paymentReceived: 'Recebemos o pagamento do pedido {order}. Avisaremos quando for enviado.',
    shipped: 'O pedido {order} está a caminho com {carrier}, código de rastreio {tracking}.',
    trackIt: 'Acompanhe: {url}',
    delivered: 'O pedido {order} foi entregue. Aproveite!',
    cancelled: 'O pedido {order} foi cancelado.',
    refunded: 'Reembolsamos o pedido {order}; o dinheiro está a caminho.',
    paymentExpired: 'Não recebemos o pagamento do pedido {order} a tempo, por isso foi cancelado.',
    'status.created': 'O pedido {order} está a ser preparado.',
    'status.awaiting_payment': 'O pedido {order} aguarda pagamento: {total} até {deadline}.',
    'status.paid': 'O pedido {order} está pago e a ser preparado para envio.',
    'status.shipped': 'O pedido {order} foi enviado com {carrier}, código de rastreio {tracking}.',
    'status.delivered': 'O pedido {order} foi entregue.',
    'status.cancelled': 'O pedido {order} foi cancelado.',
    'status.refunded': 'O pedido {order} foi reembolsado.',
    theCarrier: 'a transportadora',
    'catalogue.unreadable': 'Desculpe, não consegui ler esse pedido. Tente de novo a partir do catálogo.',
    'catalogue.needsAddress':
      'Obrigado pelo seu pedido! Onde devemos entregá-lo? Envie o endereço completo com código postal e país.',
    'catalogue.notShipped': 'Desculpe, não enviamos para aí, por isso não pudemos aceitar este pedido.',
  },
);

export type OrderText = keyof (typeof orders)['en'];
