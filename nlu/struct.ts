import type { protos } from '@google-cloud/dialogflow-cx';

/**
 * protobuf `Struct` ⇄ plain JSON. Dialogflow CX carries session parameters and custom payloads as
 * Structs (`{fields: {k: {stringValue: …}}}`); the rest of the system only sees plain objects.
 */
type IStruct = protos.google.protobuf.IStruct;
type IValue = protos.google.protobuf.IValue;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toValue(v: unknown): IValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  return { stringValue: String(v) };
}

/** A plain object as a Struct; `undefined` members are left out. */
export function toStruct(obj: Record<string, unknown>): IStruct {
  const fields: Record<string, IValue> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) fields[k] = toValue(v);
  return { fields };
}

export function fromValue(v: IValue | null | undefined): Json {
  if (!v) return null;
  if (v.structValue) return fromStruct(v.structValue);
  if (v.listValue) return (v.listValue.values ?? []).map(fromValue);
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.numberValue !== undefined && v.numberValue !== null) return Number(v.numberValue);
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  return null;
}

/** A Struct as a plain object. */
export function fromStruct(s: IStruct | null | undefined): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromValue(v);
  return out;
}
