// Display helpers (pure, no engine imports).

/** 1073741824 -> "1 GiB", 134217728 -> "128 MiB", 16384 -> "16 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = Number.isInteger(v) ? 0 : 1;
  return `${v.toFixed(digits)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
