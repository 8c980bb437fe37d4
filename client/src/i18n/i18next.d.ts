import 'i18next';
import type en from './en.json';

// Typed keys: a misspelt key is a compile error. The key sets of fi/sv/en are kept equal by i18n.test.ts.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
    /** `{{x, size}}`: bytes, worded by the formatter added in i18n.ts. */
    interpolationFormatTypeMap: { size: number };
  }
}
