import { linkProposal, type StoredRecord, type WireLog } from './wire-log';

/**
 * The two system projections the adapter reads, `$by_category` and `$by_event_type`, as the server
 * runs them with `EVENTSTORE_RUN_PROJECTIONS=System`: they follow `$all` in order and, a moment after
 * each append, write link events (`$>`, data `<revision>@<stream>`) to `$ce-<category>` and
 * `$et-<type>`.
 *
 * - `$by_category` (src/KurrentDB.Projections.V1/Standard/CategorizeEventsByStreamPath.cs, ProcessEvent):
 *   the category is the stream name before its first `-` (no `-`: not categorised); a link event is
 *   re-linked to its own target (`data.EventType == "$>"` → the link's data), any other event as
 *   `<revision>@<stream>`. Stream deletions (`$deleted`) are not modelled.
 * - `$by_event_type` (…/Standard/IndexEventsByEventType.cs, ProcessEvent): link events (`$>`) are
 *   skipped; others are linked into `$et-<type>`.
 * - Events of system streams (`$…`) are not fed to either: the projections' reader leaves system
 *   streams out (not located in the source by this port: assumed from the server's behaviour).
 * - Each link carries the metadata the projections write (`$c`/`$p`, `$o`, `$causedBy`, `$v`); the
 *   projections' own checkpoints and emitted-stream metadata are not written.
 */
export class SystemProjections {
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private paused = false;

  constructor(
    private readonly log: WireLog,
    private readonly lagMs: number,
  ) {
    this.unsubscribe = log.onCommit(() => this.schedule());
  }

  /** Stops linking (as when the projections subsystem is not running) until `resume`. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  stop(): void {
    this.unsubscribe();
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.paused) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.catchUp();
    }, this.lagMs);
  }

  private catchUp(): void {
    if (this.paused) return;
    const end = this.log.all.length;
    for (; this.next < end; this.next++) this.project(this.log.all[this.next]!);
  }

  private project(record: StoredRecord): void {
    if (record.stream.startsWith('$')) return;
    const dash = record.stream.indexOf('-');
    const target = record.type === '$>' ? Buffer.from(record.data).toString('utf8') : `${record.revision}@${record.stream}`;
    // The metadata an emitted link carries (EmittedEventEnvelope and the projection's checkpoint tag): `$c`/`$p` the
    // position of the event that caused it, `$o` its stream, `$causedBy` its id; the `$v` value is a placeholder.
    const metadata = () => ({ $v: '1:-1:1:4', $c: Number(record.position), $p: Number(record.position), $o: record.stream, $causedBy: record.id });
    if (dash > 0) this.log.appendSystem(`$ce-${record.stream.slice(0, dash)}`, [linkProposal(target, metadata())]);
    if (record.type !== '$>') this.log.appendSystem(`$et-${record.type}`, [linkProposal(target, metadata())]);
  }
}
