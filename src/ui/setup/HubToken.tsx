// Hugging Face access token for gated or private repos (meta-llama/*): asked for when the Hub's
// answer says a token may help, handed to the lab for this session only (the store keeps only
// whether one is set), and sent by the lab only to huggingface.co.
import { useState } from 'react';
import { useLabStore } from '../../store/index.ts';

const WHY = {
  gated: 'is gated: it needs an access token of an account that accepted its license.',
  unauthorized: 'was refused without a token (HTTP 401): if it is private or gated, an access token lets the lab read it.',
  'token-refused': 'refused the token given: check it, or give a token of an account with access.',
} as const;

export function HubToken() {
  const request = useLabStore((s) => s.model.tokenRequest);
  const tokenSet = useLabStore((s) => s.model.hubTokenSet);
  const loading = useLabStore((s) => s.model.status === 'loading');
  const applyHubToken = useLabStore((s) => s.applyHubToken);
  const forgetHubToken = useLabStore((s) => s.forgetHubToken);
  const [token, setToken] = useState('');

  return (
    <>
      {request && !loading && (
        <form
          className="token-form"
          data-testid="hub-token-form"
          onSubmit={(e) => {
            e.preventDefault();
            const t = token.trim();
            setToken('');
            if (t) void applyHubToken(t);
          }}
        >
          <p>
            <strong>{request.repo}</strong> {WHY[request.need]}
          </p>
          <label htmlFor="hub-token">Hugging Face access token</label>
          <input
            id="hub-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="hf_…"
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            data-testid="hub-token-input"
          />
          <button type="submit" className="primary" disabled={!token.trim()} data-testid="btn-hub-token">
            Use token and retry
          </button>
          <p className="hint">
            Create a read token at huggingface.co/settings/tokens. It stays in this tab’s memory for this session only (never saved) and is sent only to
            huggingface.co.
          </p>
        </form>
      )}
      {tokenSet && (
        <p className="hint" data-testid="hub-token-set">
          A Hugging Face token is in use for this session.{' '}
          <button type="button" className="link" onClick={() => void forgetHubToken()} data-testid="btn-forget-token">
            Forget it
          </button>
        </p>
      )}
    </>
  );
}
