// What a migration needs to know of the running KRaft cluster it goes into (read by target.ts,
// checked by target-checks.ts, shown in the rehearse report's `target`). Plain data.
export interface TargetDescription {
  readonly clusterId: string;
  /** The metadata quorum's voters. */
  readonly controllerIds: readonly number[];
  /** Registered brokers (fenced ones too: a registration stays until the broker is removed). */
  readonly brokers: readonly { readonly id: number; readonly fenced: boolean }[];
  /** Finalized feature levels, by name (metadata.version among them once the cluster is bootstrapped). */
  readonly features: Readonly<Record<string, number>>;
  readonly zkMigrationState: number;
}
