import { describe, expect, it } from 'vitest';
import {
  chiSquaredSf,
  erfc,
  gammaP,
  gammaQ,
  kolmogorovSf,
  logGamma,
  normalSf,
} from '../../src/drift/index';

// Reference values: standard statistical tables (chi-squared critical values, normal tail
// areas, Kolmogorov critical values as tabulated e.g. in NIST/SEMATECH e-Handbook §1.4.2.6 /
// Smirnov 1948) and closed forms (Γ(n) = (n−1)!, Γ(1/2) = √π, chi-squared with 2 df has
// sf(x) = e^{−x/2}, chi-squared with 1 df has sf(x) = erfc(√(x/2))).

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 9); // ln(170!)
  });
});

describe('regularized incomplete gamma', () => {
  it('P + Q = 1 and Q(1, x) = e^{-x}', () => {
    for (const [a, x] of [
      [0.5, 0.3],
      [3, 2],
      [3, 7],
      [50, 45],
      [50, 60],
    ] as const) {
      expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 14);
    }
    expect(gammaQ(1, 2.5)).toBeCloseTo(Math.exp(-2.5), 14);
  });
});

describe('chiSquaredSf (table critical values)', () => {
  const table: Array<[x: number, df: number, p: number]> = [
    [3.841458820694124, 1, 0.05],
    [6.634896601021214, 1, 0.01],
    [5.991464547107979, 2, 0.05],
    [11.070497693516351, 5, 0.05],
    [18.307038053275146, 10, 0.05],
    [2.705543454095404, 1, 0.1],
    [124.34211340400407, 100, 0.05],
  ];
  it.each(table)('chi2.sf(%d, %d) = %d', (x, df, p) => {
    expect(chiSquaredSf(x, df)).toBeCloseTo(p, 10);
  });
  it('rounded table values (3.84, 1) and (11.07, 5) give ≈ 0.05', () => {
    expect(chiSquaredSf(3.84, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquaredSf(11.07, 5)).toBeCloseTo(0.05, 3);
  });
  it('closed forms for 1 and 2 degrees of freedom', () => {
    expect(chiSquaredSf(2, 2)).toBeCloseTo(Math.exp(-1), 14);
    expect(chiSquaredSf(9, 1)).toBeCloseTo(erfc(Math.sqrt(4.5)), 14);
    expect(chiSquaredSf(0, 3)).toBe(1);
  });
});

describe('erfc and the normal tail', () => {
  it('matches tabulated erfc values (Abramowitz & Stegun table 7.1)', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 15);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 14);
    expect(erfc(5) / 1.5374597944280349e-12).toBeCloseTo(1, 10);
  });
  it('gives the familiar two-sided 5% and 1% points of the normal distribution', () => {
    expect(2 * normalSf(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(2 * normalSf(2.5758293035489)).toBeCloseTo(0.01, 12);
    expect(normalSf(1.6448536269514722)).toBeCloseTo(0.05, 12);
  });
});

describe('kolmogorovSf (asymptotic KS critical values 1.2238, 1.3581, 1.6276)', () => {
  it('gives α at the tabulated critical values', () => {
    expect(kolmogorovSf(1.2238478702170825)).toBeCloseTo(0.1, 10);
    expect(kolmogorovSf(1.3580986393225507)).toBeCloseTo(0.05, 10);
    expect(kolmogorovSf(1.627623611518948)).toBeCloseTo(0.01, 10);
  });
  it('is continuous where the two series switch and bounded in [0, 1]', () => {
    expect(kolmogorovSf(1.18 - 1e-12)).toBeCloseTo(kolmogorovSf(1.18), 10);
    expect(kolmogorovSf(0)).toBe(1);
    expect(kolmogorovSf(0.2)).toBeCloseTo(1, 11); // 1 − 5.05e-13
    expect(kolmogorovSf(10)).toBeLessThan(1e-80); // 2·e^{−200}
  });
});
