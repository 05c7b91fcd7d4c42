/**
 * A phone number as a person types it (`+351 912 345 678`, `(11) 9…`) and as Meta's wa_id
 * (`351912345678`) are the same end-user: digits only. A business-scoped user id (`US.…`) or any
 * other id is kept as it is. Every route that takes an end-user id (orders, privacy) uses this, so
 * the same person gets the same keyed hash however the id was written.
 */
export const normalizeUserId = (id: string): string =>
  /^\+?[\d\s().-]+$/.test(id) ? id.replace(/\D/g, '') : id;
