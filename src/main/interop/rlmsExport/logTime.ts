// Times as the reference library logs them: `datetime.now().isoformat()`, local time with
// microseconds and no zone. Its readers (its visualizer, and interop/rlmsLog/times.ts by default)
// read them as local time, so a log written and read on one machine keeps its times.

export function logTimestamp(ms: number): string {
  const at = new Date(ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}000`;
  return `${date}T${time}`;
}
