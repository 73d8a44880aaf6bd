import type { DeviceInfo } from '../store/index.ts';
import { formatBytes, formatCount } from './format.ts';

// Features the lab cares about, with why; shown as present/absent rather than a raw list.
const KEY_FEATURES: { name: string; why: string }[] = [
  { name: 'shader-f16', why: 'f16 arithmetic; not needed for f16 weights, which are stored packed and widened to f32 on every adapter' },
  { name: 'subgroups', why: 'faster reductions' },
  { name: 'timestamp-query', why: 'kernel timing' },
];

export function AdapterPanel({ info, summary }: { info: DeviceInfo; summary: string }) {
  const l = info.limits;
  const limits: [string, string][] = [
    ['Max buffer size', formatBytes(l.maxBufferSize)],
    ['Max storage binding', formatBytes(l.maxStorageBufferBindingSize)],
    ['Workgroup memory', formatBytes(l.maxComputeWorkgroupStorageSize)],
    ['Invocations / workgroup', formatCount(l.maxComputeInvocationsPerWorkgroup)],
    ['Workgroups / dimension', formatCount(l.maxComputeWorkgroupsPerDimension)],
    ['Storage buffers / stage', formatCount(l.maxStorageBuffersPerShaderStage)],
  ];
  const others = info.features.filter((f) => !KEY_FEATURES.some((k) => k.name === f));

  return (
    <section className="panel" aria-labelledby="adapter-heading" data-testid="adapter-panel">
      <h2 id="adapter-heading">WebGPU adapter</h2>
      <p className="adapter-name" data-testid="adapter-summary">
        {summary}
      </p>
      {info.emulated && (
        <p className="note" data-testid="adapter-emulated">
          This adapter is a CPU emulation of a GPU. Everything works, but only tiny models train at a useful speed.
        </p>
      )}

      <dl className="facts">
        <dt>Vendor</dt>
        <dd data-testid="adapter-vendor">{info.vendor || '—'}</dd>
        <dt>Architecture</dt>
        <dd data-testid="adapter-architecture">{info.architecture || '—'}</dd>
        <dt>Description</dt>
        <dd data-testid="adapter-description">{info.description || info.device || '—'}</dd>
        <dt>Kind</dt>
        <dd>{info.emulated ? 'CPU emulation' : 'Hardware GPU'}</dd>
      </dl>

      <h3>Key limits</h3>
      <table className="limits" data-testid="adapter-limits">
        <tbody>
          {limits.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Features</h3>
      <ul className="features" data-testid="adapter-features">
        {KEY_FEATURES.map((k) => {
          const has = info.features.includes(k.name);
          return (
            <li key={k.name} data-testid={`feature-${k.name}`} data-present={has}>
              <span className={has ? 'yes' : 'no'} aria-hidden="true">
                {has ? '✓' : '✗'}
              </span>{' '}
              <code>{k.name}</code> — {has ? 'available' : 'not available'} ({k.why})
            </li>
          );
        })}
      </ul>
      {others.length > 0 && (
        <>
          <h4>Other features</h4>
          <ul className="chips" data-testid="adapter-other-features">
            {others.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
