// The apply journal (issue 7 item 6): with `--staging-dir D`, `migrate apply` records each step
// of each run in a LevelDB database at D/journal — the input read (or resumed from D/tree), the
// request sent, the controller's answer — so a run that was interrupted (the tool killed, the
// machine rebooted) is visible to the next one, which says so and finishes the job.
// Why it cannot be a source of truth: the metadata log is. A journal entry "sent" says only
// that the controller may have committed the whole migration or nothing (one metadata
// transaction); the rerun sends the same records again, and the controller answers "applied" or
// "already migrated". The journal never makes a run skip the controller.
import { Level } from 'level';

/** Entries kept; older ones are dropped when a run appends (each run writes about three). */
export const journalEntriesMax = 300;

export type JournalPhase = 'read' | 'sent' | 'applied' | 'already-migrated' | 'refused' | 'blocked';

export interface JournalEntry {
  /** Wall-clock time of the entry, ISO-8601. */
  readonly at: string;
  /** One id per apply run (its start time and pid). */
  readonly run: string;
  readonly phase: JournalPhase;
  /** Records the plan holds (Begin/End markers included). */
  readonly records: number;
  /** The tree came from the staging store of an earlier run. */
  readonly resumed?: boolean;
  readonly metadataOffset?: number;
  readonly detail?: string;
}

const seqKey = (n: number): string => `j${String(n).padStart(12, '0')}`;

export class ApplyJournal {
  private next = 0;

  private constructor(private readonly db: Level<string, string>) {}

  static async open(dir: string): Promise<ApplyJournal> {
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const j = new ApplyJournal(db);
    for await (const k of db.keys({ gte: 'j', lt: 'k', reverse: true, limit: 1 })) j.next = Number(k.slice(1)) + 1;
    return j;
  }

  /** Entries oldest first. */
  async entries(): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    for await (const v of this.db.values({ gte: 'j', lt: 'k' })) out.push(JSON.parse(v) as JournalEntry);
    return out;
  }

  /** The last run's entries, when that run did not get the controller's answer. */
  async interruptedRun(): Promise<JournalEntry[] | null> {
    const all = await this.entries();
    const last = all[all.length - 1];
    if (!last || (last.phase !== 'read' && last.phase !== 'sent')) return null;
    return all.filter((e) => e.run === last.run);
  }

  async append(entry: JournalEntry): Promise<void> {
    const batch = this.db.batch().put(seqKey(this.next), JSON.stringify(entry));
    if (this.next >= journalEntriesMax) batch.del(seqKey(this.next - journalEntriesMax));
    this.next++;
    await batch.write();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
