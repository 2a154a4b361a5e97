// A link to a workflow run in the Temporal UI, in a new tab; nothing when no UI is configured.
export function TemporalLink({ url, label = 'Temporal UI', testId }: { url: string | null | undefined; label?: string; testId?: string }) {
  if (!url) return null;
  return (
    <a href={url} target="_blank" rel="noreferrer" data-testid={testId}>
      {label} ↗
    </a>
  );
}
