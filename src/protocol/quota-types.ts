// Kafka's client-quota vocabulary (KIP-546): how a DescribeClientQuotas filter component matches
// an entity name. Used by the controller and the CLI.

/** Kafka's ClientQuotaFilterComponent match types. */
export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, ANY: 2 } as const;
