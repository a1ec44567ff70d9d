/**
 * The field types an event schema may use, with their byte size, alignment and value range.
 * `i53` is an exact integer in ±(2^53 - 1) stored as a float64 (exact there), so reading and
 * writing it never needs a BigInt.
 */
export type ScalarFieldType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'i53' | 'bool';
export type SizedFieldType = 'ascii' | 'bytes';
export type FieldType = ScalarFieldType | SizedFieldType;

/** A field: a type name, or an object with options. */
export type FieldSpec =
  | ScalarFieldType
  | { type: ScalarFieldType; default?: number | boolean; nonFinite?: boolean; transient?: boolean }
  | { type: SizedFieldType; length: number; default?: string | Uint8Array; transient?: boolean };

export interface ScalarInfo {
  readonly size: number;
  /** typed-array view name used by generated accessors */
  readonly view: string;
  readonly min?: number;
  readonly max?: number;
  readonly float?: boolean;
}

export const SCALARS: Readonly<Record<ScalarFieldType, ScalarInfo>> = {
  u8: { size: 1, view: 'u8', min: 0, max: 0xff },
  i8: { size: 1, view: 'i8', min: -0x80, max: 0x7f },
  u16: { size: 2, view: 'u16', min: 0, max: 0xffff },
  i16: { size: 2, view: 'i16', min: -0x8000, max: 0x7fff },
  u32: { size: 4, view: 'u32', min: 0, max: 0xffffffff },
  i32: { size: 4, view: 'i32', min: -0x80000000, max: 0x7fffffff },
  f32: { size: 4, view: 'f32', float: true },
  f64: { size: 8, view: 'f64', float: true },
  i53: { size: 8, view: 'f64', min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  bool: { size: 1, view: 'u8' },
};

/** Largest ascii/bytes field. */
export const MAX_SIZED_LENGTH = 65536;

/** Names no field may take: the flyweight's own members all start with '$'. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const RESERVED_FIELD_NAMES = new Set([
  'constructor',
  'prototype',
  '__proto__',
  'toString',
  'valueOf',
  'toJSON',
  'hasOwnProperty',
]);

/** One laid-out field. */
export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  /** Byte offset from the start of the slot (after the slot header). */
  readonly offset: number;
  /** Bytes occupied. */
  readonly size: number;
  /** ascii/bytes: max length. */
  readonly length?: number;
  readonly nonFinite: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  /**
   * A result field: written by handlers, not by producers. Transient fields are laid out after
   * every input field, are not journaled (the journal keeps the input prefix of the slot), and are
   * reset to their defaults when an event is replayed.
   */
  readonly transient: boolean;
}
