/**
 * Small string helpers shared by the data formats and the tokenizer.
 *
 * @module
 */

/**
 * The length of the longest common prefix of two strings, never ending between the two halves
 * of a surrogate pair (a character outside the Basic Multilingual Plane stays whole).
 *
 * @example
 * ```ts
 * import { commonPrefixLength } from "./text.ts";
 * console.log(commonPrefixLength("The sky is blue", "The sky is green")); // 11
 * console.log(commonPrefixLength("a😀", "a😁")); // 1
 * ```
 */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let k = 0;
  while (k < n && a.charCodeAt(k) === b.charCodeAt(k)) k++;
  if (k > 0 && k < Math.max(a.length, b.length) && isHighSurrogate(a, k - 1)) k--;
  return k;
}

/**
 * Whether the UTF-16 code unit at `i` is the first half of a surrogate pair.
 *
 * @example
 * ```ts
 * import { isHighSurrogate } from "./text.ts";
 * console.log(isHighSurrogate("😀", 0), isHighSurrogate("😀", 1)); // true false
 * ```
 */
export function isHighSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}
