import type { Section } from '.';
import { common } from './common';
import { landing } from './landing';

/** Every section of the catalogue, by name: the parity test and the pages' catalogue route read this. */
export const SECTIONS: Readonly<Record<string, Section>> = { common, landing };
