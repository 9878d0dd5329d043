// Kubernetes resource quantities as numbers, for sizing quotas from the requests other phases decided.

const MEMORY_UNITS: Record<string, number> = {
  '': 1 / 2 ** 30,
  Ki: 2 ** 10 / 2 ** 30,
  Mi: 2 ** 20 / 2 ** 30,
  Gi: 1,
  Ti: 2 ** 10,
  k: 1e3 / 2 ** 30,
  M: 1e6 / 2 ** 30,
  G: 1e9 / 2 ** 30,
  T: 1e12 / 2 ** 30,
};

/** CPU quantity ("2", "500m", "1.5") in cores. */
export function cpuCores(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m) throw new Error(`not a CPU quantity: ${quantity}`);
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

/** Memory quantity ("16Gi", "512Mi", "4G") in GiB. */
export function memoryGi(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(quantity.trim());
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!;
}

/** A CPU figure as a quantity: whole cores when integral, else millicores. */
export function cpuQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.ceil(cores * 1000)}m`;
}
