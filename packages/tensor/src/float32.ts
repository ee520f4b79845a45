/** The most negative finite float32 (torch.finfo(torch.float32).min): the floor for log-probabilities. */
export const MOST_NEGATIVE_FLOAT32 = -3.4028234663852886e38;
