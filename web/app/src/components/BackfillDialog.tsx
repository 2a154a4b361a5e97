// Choose what to backfill, preview the tasks per asset, launch. Any change after a preview
// asks for a new one, so what launches is what was previewed.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import type { AssetList, BackfillPreview, BackfillRequest } from '../../../api-types.ts';
import { ApiRequestError, getJson, postJson } from '../api.ts';

export interface BackfillDialogProps {
  initialAssets: string[];
  from?: string;
  to?: string;
  onClose: () => void;
}

export function BackfillDialog({ initialAssets, from: from0 = '', to: to0 = '', onClose }: BackfillDialogProps) {
  const [, navigate] = useLocation();
  const assets = useQuery({ queryKey: ['assets'], queryFn: () => getJson<AssetList>('/api/assets') });
  const [selected, setSelected] = useState<string[]>(initialAssets);
  const [downstream, setDownstream] = useState(false);
  const [from, setFrom] = useState(from0);
  const [to, setTo] = useState(to0);
  const [onlyFailedAndMissing, setOnlyFailedAndMissing] = useState(false);
  const [concurrency, setConcurrency] = useState('4');

  const request: BackfillRequest = useMemo(
    () => ({
      assets: selected,
      downstream,
      ...(from || to ? { from, to } : {}),
      concurrency: Number(concurrency),
      onlyFailedAndMissing,
    }),
    [selected, downstream, from, to, concurrency, onlyFailedAndMissing],
  );

  const preview = useMutation({ mutationFn: (r: BackfillRequest) => postJson<BackfillPreview>('/api/backfills/preview', r) });
  const launch = useMutation({
    mutationFn: (r: BackfillRequest) => postJson<{ id: string }>('/api/backfills', r),
    onSuccess: ({ id }) => navigate(`/backfills/${encodeURIComponent(id)}`),
  });
  // What launches must be what was previewed.
  useEffect(() => {
    preview.reset();
  }, [request]); // eslint-disable-line react-hooks/exhaustive-deps

  const error = (launch.error ?? preview.error) as ApiRequestError | null;
  const bad = (field: string) => (error?.field === field || error?.field?.startsWith(`${field}[`) ? 'bad' : undefined);
  const toggle = (name: string) => setSelected((s) => (s.includes(name) ? s.filter((n) => n !== name) : [...s, name]));

  return (
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="dialog" role="dialog" aria-label="Backfill" data-testid="backfill-dialog">
        <h2>Backfill</h2>
        <fieldset className={bad('assets')}>
          <legend>Assets</legend>
          <div className="asset-choices">
            {assets.data?.assets.map((a) => (
              <label key={a.name}>
                <input type="checkbox" checked={selected.includes(a.name)} onChange={() => toggle(a.name)} /> {a.name}
                <small> {a.partitions?.kind ?? 'unpartitioned'}</small>
              </label>
            ))}
          </div>
          <label>
            <input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} data-testid="downstream" /> and
            everything downstream
          </label>
        </fieldset>
        <fieldset>
          <legend>Partitions</legend>
          <div className="row">
            <label className={bad('from')}>
              from <input value={from} onChange={(e) => setFrom(e.target.value)} placeholder="first key, e.g. 2026-01-01" name="from" />
            </label>
            <label className={bad('to')}>
              to <input value={to} onChange={(e) => setTo(e.target.value)} placeholder="last key (inclusive)" name="to" />
            </label>
          </div>
          <p className="hint">Both empty: every partition. Or drag across cells on an asset's grid.</p>
          <label title="never materialized, or the last run failed; stale partitions are left as they are">
            <input
              type="checkbox"
              checked={onlyFailedAndMissing}
              onChange={(e) => setOnlyFailedAndMissing(e.target.checked)}
              data-testid="only-failed-and-missing"
            />{' '}
            only failed and missing partitions
          </label>
          <label className={bad('concurrency')}>
            concurrency{' '}
            <input type="number" min={1} max={64} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} name="concurrency" />
          </label>
        </fieldset>

        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}

        {preview.data && (
          <table className="preview" data-testid="backfill-preview">
            <thead>
              <tr>
                <th>asset</th>
                <th>partitions</th>
                <th>to run</th>
                <th>up to date</th>
              </tr>
            </thead>
            <tbody>
              {preview.data.assets.map((a) => (
                <tr key={a.asset}>
                  <td>{a.asset}</td>
                  <td>{a.partitions}</td>
                  <td>{a.toRun}</td>
                  <td>{a.upToDate}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={2}>tasks in all</td>
                <td colSpan={2}>
                  <b>{preview.data.tasks}</b>
                </td>
              </tr>
            </tfoot>
          </table>
        )}

        <div className="buttons">
          <button onClick={onClose}>Close</button>
          <button onClick={() => preview.mutate(request)} disabled={preview.isPending || selected.length === 0}>
            Preview
          </button>
          <button
            className="primary"
            onClick={() => launch.mutate(request)}
            disabled={!preview.data || launch.isPending}
            title={preview.data ? '' : 'Preview first'}
          >
            Launch backfill
          </button>
        </div>
      </div>
    </div>
  );
}
