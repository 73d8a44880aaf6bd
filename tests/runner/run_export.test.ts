// A run's export is one file named after the run: the peft adapter's files in one stored zip
// (a folder named after the run), read back here entry by entry.
import { describe, expect, it } from 'vitest';
import { adapterZip, fileSlug } from '../../src/runner/lab_projects.ts';
import { crc32 } from '../../src/runner/zip.ts';

/** The entries of a stored (uncompressed) zip, from its local headers. */
function readStoredZip(zip: Uint8Array): { name: string; data: Uint8Array }[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: { name: string; data: Uint8Array }[] = [];
  let p = 0;
  while (view.getUint32(p, true) === 0x04034b50) {
    const crc = view.getUint32(p + 14, true);
    const size = view.getUint32(p + 18, true);
    const nameLen = view.getUint16(p + 26, true);
    const extra = view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(zip.subarray(p + 30, p + 30 + nameLen));
    const data = zip.subarray(p + 30 + nameLen + extra, p + 30 + nameLen + extra + size);
    expect(crc32(data)).toBe(crc);
    out.push({ name, data });
    p += 30 + nameLen + extra + size;
  }
  return out;
}

describe('run export', () => {
  it('names files after the run', () => {
    expect(fileSlug('Prefix tuning L=4 N=10 lr=0.01 · Toy colours (embedded)')).toBe('prefix-tuning-l-4-n-10-lr-0-01-toy-colours-embedded');
    expect(fileSlug('···')).toBe('');
  });

  it('zips the adapter files into one download in a folder named after the run', () => {
    const enc = new TextEncoder();
    const files = [
      { name: 'adapter_config.json', data: enc.encode('{"peft_type":"PREFIX_TUNING"}') },
      { name: 'adapter_model.safetensors', data: new Uint8Array([1, 2, 3, 4]) },
      { name: 'README.md', data: enc.encode('# adapter\n') },
    ];
    const zip = adapterZip('Prefix tuning L=4 N=10 kv · Toy', files);
    expect(zip.name).toBe('prefix-tuning-l-4-n-10-kv-toy-adapter.zip');
    expect(zip.mime).toBe('application/zip');
    const entries = readStoredZip(zip.data);
    expect(entries.map((e) => e.name)).toEqual(files.map((f) => `prefix-tuning-l-4-n-10-kv-toy-adapter/${f.name}`));
    entries.forEach((e, i) => expect(e.data).toEqual(files[i].data));
  });
});
