// The Content-Security-Policy of the built site (a <meta> in every page, and a header from
// `vite preview`). No inline script and no eval: scripts come from the site itself, and
// WebAssembly (onnxruntime-web's reference check) is compiled under 'wasm-unsafe-eval', which
// allows wasm but not JavaScript eval. Network reads go to the site and to the Hugging Face hub
// (downloads redirect to its CDN hosts). Styles allow inline attributes (React and the charts set
// them); the dev server is exempt, as its hot-reload preamble is an inline script.
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'],
  'img-src': ["'self'", 'data:', 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

export function cspString(extra: Record<string, string[]> = {}): string {
  return Object.entries({ ...CSP_DIRECTIVES, ...extra }).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}

/** The header adds what a <meta> policy cannot carry (frame-ancestors is ignored in <meta>). */
export const CSP_META = cspString();
export const CSP_HEADER = cspString({ 'frame-ancestors': ["'none'"] });
