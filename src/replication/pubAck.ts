/**
 * Reading JetStream's answer to a publish, sent to the publish's reply subject: a PubAck
 * (`{"stream":…,"seq":…,"duplicate":true?}`), a refusal (`{"error":{"code":…,"err_code":…,
 * "description":…}}`, e.g. a wrong expected last sequence), or the server's 503 status when no
 * stream listens on the subject. The relay publishes with a reply subject of its own instead of a
 * request per record (JournalRelay), so it reads the answer itself, as the client's js.publish would.
 */
import type { Msg } from 'nats';
import type { StreamAck } from './PublishWindow.js';

const decoder = new TextDecoder();

/** The stream's ack, or an Error saying why the publish was not stored (a plain error: resume and retry). */
export function parsePubAck(msg: Msg, stream: string): StreamAck | Error {
  if (msg.data.length === 0)
    return new Error(
      msg.headers?.code === 503
        ? `no stream answers on ${msg.subject}: no responders (NATS 503)`
        : `empty answer to a publish (status ${msg.headers?.code ?? 'none'})`,
    );
  let answer: { stream?: unknown; seq?: unknown; duplicate?: unknown; error?: Record<string, unknown> };
  try {
    answer = JSON.parse(decoder.decode(msg.data)) as typeof answer;
  } catch {
    return new Error(`unreadable answer to a publish: ${decoder.decode(msg.data).slice(0, 200)}`);
  }
  if (answer.error !== undefined && answer.error !== null) {
    const e = answer.error;
    return new Error(
      `publish refused: ${String(e['description'])} (code ${String(e['code'])}, err_code ${String(e['err_code'])})`,
    );
  }
  if (answer.stream !== stream || typeof answer.seq !== 'number')
    return new Error(`unexpected answer to a publish: ${decoder.decode(msg.data).slice(0, 200)}`);
  return { seq: answer.seq, duplicate: answer.duplicate === true };
}
