/**
 * What theory predicts for plain majority voting: with each of k replicas wrong (and colluding on
 * one answer) independently with probability p, a wrong result is accepted when more than k/2 of
 * them are wrong: P = sum over i > k/2 of C(k, i) p^i (1-p)^(k-i). For p = 0.2, k = 3: 0.104.
 */
export function majorityWrongProbability(k: number, p: number): number {
  let total = 0;
  for (let i = Math.floor(k / 2) + 1; i <= k; i++) total += binomial(k, i) * p ** i * (1 - p) ** (k - i);
  return total;
}

function binomial(n: number, r: number): number {
  let c = 1;
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return c;
}
