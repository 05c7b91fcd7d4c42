import type { Section } from '.';
import { callbacks } from './callbacks';
import { common } from './common';
import { consoleTexts } from './console';
import { conversation } from './conversation';
import { landing } from './landing';
import { orders } from './orders';
import { sandbox } from './sandbox';

/** Every section of the catalogue, by name: the parity test and the pages' catalogue route read this. */
export const SECTIONS: Readonly<Record<string, Section>> = {
  common,
  landing,
  sandbox,
  conversation,
  orders,
  callbacks,
  console: consoleTexts,
};
