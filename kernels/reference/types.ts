/** Numeric input of the reference functions: typed arrays or plain arrays. */
export type Vec = ArrayLike<number>;
