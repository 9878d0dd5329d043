import { OPTION_NAMES, OPTION_VALUES, type Options } from '../../src/spec/options.js';

/**
 * A Latin square over the seven options: combination i gives option j its value number (i + j) mod (its count).
 * Every value of every option appears in exactly one combination, next to a different value of every other
 * option, so a handful of whole bundles exercise every value together with unlike neighbours.
 */
export function optionCombinations(): Options[] {
  const count = Math.max(...OPTION_NAMES.map((o) => OPTION_VALUES[o].length));
  return Array.from({ length: count }, (_, i) => Object.fromEntries(OPTION_NAMES.map((o, j) => [o, OPTION_VALUES[o][(i + j) % OPTION_VALUES[o].length]])) as Options);
}
