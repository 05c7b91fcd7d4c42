import { section } from '.';

/** Texts shared by every page and message: the languages' own names. */
export const common = section(
  { 'language.en': 'English', 'language.es': 'Spanish', 'language.pt': 'Portuguese' },
  { 'language.en': 'Inglés', 'language.es': 'Español', 'language.pt': 'Portugués' },
  { 'language.en': 'Inglês', 'language.es': 'Espanhol', 'language.pt': 'Português' },
);
