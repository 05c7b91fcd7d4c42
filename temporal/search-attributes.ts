import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Search attributes every Aura workflow carries, so operators can filter in the Temporal UI
 * ("conversations of client X waiting for an agent"). None of them holds PII: the subject is a keyed hash.
 */
export const clientIdAttribute = defineSearchAttributeKey('AuraClientId', 'KEYWORD');
export const modeAttribute = defineSearchAttributeKey('AuraMode', 'KEYWORD');
export const subjectAttribute = defineSearchAttributeKey('AuraSubject', 'KEYWORD');

/** `Name=Type` pairs for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_FLAGS = ['AuraClientId=Keyword', 'AuraMode=Keyword', 'AuraSubject=Keyword'];
