// Choose what to backfill, preview the tasks per asset, launch. Any change after a preview
// asks for a new one, so what launches is what was previewed; a preview with nothing to run
// cannot launch. Each previewed request gets its own request id, so the same launch sent twice
// (a double click, a retry after a lost answer) starts one backfill.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { nothingToRun, type AssetList, type BackfillPreview, type BackfillRequest } from '../../../api-types.ts';
import { ApiRequestError, getJson, newRequestId, postJson } from '../api.ts';

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
  const [force, setForce] = useState(false);
  const [concurrency, setConcurrency] = useState('4');
  // set in the click itself: the mutation's own pending state renders a task later, after a double click's second click
  const [launching, setLaunching] = useState(false);

  const request: BackfillRequest = useMemo(
    () => ({
      assets: selected,
      downstream,
      ...(from || to ? { from, to } : {}),
      concurrency: Number(concurrency),
      onlyFailedAndMissing,
      force,
    }),
    [selected, downstream, from, to, concurrency, onlyFailedAndMissing, force],
  );
  const requestId = useMemo(() => newRequestId(), [request]); // eslint-disable-line react-hooks/exhaustive-deps

  const preview = useMutation({ mutationFn: (r: BackfillRequest) => postJson<BackfillPreview>('/api/backfills/preview', r) });
  const launch = useMutation({
    mutationFn: (r: BackfillRequest) => postJson<{ id: string }>('/api/backfills', r),
    onSuccess: ({ id }) => navigate(`/backfills/${encodeURIComponent(id)}`),
    onError: () => setLaunching(false),
  });
  // What launches must be what was previewed.
  useEffect(() => {
    preview.reset();
  }, [request]); // eslint-disable-line react-hooks/exhaustive-deps

  const error = (launch.error ?? preview.error) as ApiRequestError | null;
  const empty = preview.data ? nothingToRun(preview.data, request) : undefined;
  const bad = (field: string) => (error?.field === field || error?.field?.startsWith(`${field}[`) ? 'bad' : undefined);
  // Focus moves into the dialog when it opens and back to what opened it when it closes; Escape closes it.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    (box.current?.querySelector<HTMLElement>('input, button, select') ?? box.current)?.focus();
    return () => opener?.focus();
  }, []);
  const toggle = (name: string) => setSelected((s) => (s.includes(name) ? s.filter((n) => n !== name) : [...s, name]));

  return (
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={box}
        className="dialog"
        role="dialog"
        aria-modal="true"
        tabIndex={-1}
        aria-label="Backfill"
        data-testid="backfill-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
      >
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
          <label
            className={bad('force')}
            title="run every selected partition, also those whose inputs have not changed since they were computed"
          >
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="force" /> recompute even if up
            to date
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
        {empty && (
          <p className="hint" data-testid="nothing-to-run">
            {empty}
          </p>
        )}

        <div className="buttons">
          <button onClick={onClose}>Close</button>
          <button onClick={() => preview.mutate(request)} disabled={preview.isPending || selected.length === 0}>
            Preview
          </button>
          <button
            className="primary"
            onClick={() => {
              setLaunching(true);
              launch.mutate({ ...request, requestId });
            }}
            disabled={!preview.data || !!empty || launching || launch.isPending}
            title={preview.data ? (empty ?? '') : 'Preview first'}
          >
            Launch backfill
          </button>
        </div>
      </div>
    </div>
  );
}
