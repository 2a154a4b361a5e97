// A run's log lines as the worker wrote them: time, level, message, then the other fields.
const APART = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name']);

export function LogLines({ lines, dropped }: { lines: Array<Record<string, unknown>>; dropped: number }) {
  if (lines.length === 0) return <p className="empty">No log line at the worker's log level.</p>;
  return (
    <pre className="log-lines" data-testid="log-lines">
      {lines.map((l, i) => (
        <span key={i} className={`log-line level-${String(l.level)}`}>
          {[l.time, l.level, l.msg].filter((x) => x !== undefined).join(' ')}{' '}
          <span className="log-fields">
            {Object.entries(l)
              .filter(([k]) => !APART.has(k))
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ')}
          </span>
          {i === Math.floor(lines.length / 2) && dropped > 0 ? `\n… ${dropped} lines left out …` : ''}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}
