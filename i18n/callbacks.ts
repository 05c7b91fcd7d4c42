import { section } from '.';

/** The agent console's list of callback requests (api/public/console/callbacks.js). */
export const callbacks = section(
  {
    title: 'Callback requests',
    note: 'Customers who waited the maximum time and asked to be contacted.',
    empty: 'No callback requests.',
    requested: 'asked {ago} ago',
    language: 'writes in {language}',
    open: 'Open',
    done: 'Done',
    failed: 'Callback requests unavailable: {reason}',
  },
  {
    title: 'Solicitudes de llamada',
    note: 'Clientes que esperaron el tiempo máximo y pidieron que los contactemos.',
    empty: 'No hay solicitudes de llamada.',
    requested: 'lo pidió hace {ago}',
    language: 'escribe en {language}',
    open: 'Abrir',
    done: 'Hecho',
    failed: 'Solicitudes de llamada no disponibles: {reason}',
  },
  {
    title: 'Pedidos de contacto',
    note: 'Clientes que esperaram o tempo máximo e pediram para ser contactados.',
    empty: 'Não há pedidos de contacto.',
    requested: 'pediu há {ago}',
    language: 'escreve em {language}',
    open: 'Abrir',
    done: 'Feito',
    failed: 'Pedidos de contacto indisponíveis: {reason}',
  },
);
