// The sequential model the linearizability checker runs operations against: a register per key
// (a topic config's value, or whether a topic exists), null meaning absent. read must see the
// current value; write sets it; cas sets `to` when the value is `from` — when its outcome is
// unknown (`info`), it may also have failed, which leaves the value as it was.
// Used by linearizable.ts (the runner passes it for the metadata workload); pure.

export type RegisterInput =
  | { readonly f: 'read'; readonly value: string | null }
  | { readonly f: 'write'; readonly value: string | null }
  | { readonly f: 'cas'; readonly from: string | null; readonly to: string | null; readonly known: boolean };

export interface RegisterModel<S, I> {
  init(): S;
  /** [legal, next state] */
  step(state: S, input: I): readonly [boolean, S];
  /** A string equal for equal states (the memoisation key). */
  key(state: S): string;
  describe(state: S): string;
  describeInput(input: I): string;
}

const show = (v: string | null): string => (v === null ? 'absent' : JSON.stringify(v));

export const registerModel: RegisterModel<string | null, RegisterInput> = {
  init: () => null,
  step(state, input) {
    switch (input.f) {
      case 'read':
        return [input.value === state, state];
      case 'write':
        return [true, input.value];
      case 'cas':
        if (state === input.from) return [true, input.to];
        return [!input.known, state];
    }
  },
  key: (state) => (state === null ? '\0' : `=${state}`),
  describe: show,
  describeInput(input) {
    switch (input.f) {
      case 'read':
        return `read ${show(input.value)}`;
      case 'write':
        return `write ${show(input.value)}`;
      case 'cas':
        return `cas ${show(input.from)} → ${show(input.to)}${input.known ? '' : ' (outcome unknown)'}`;
    }
  },
};
