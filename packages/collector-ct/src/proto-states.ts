/**
 * Names of the TCP and SCTP conntrack states, from the running kernel's
 * BTF (`enum tcp_conntrack`, `enum sctp_conntrack`) with their
 * `TCP_CONNTRACK_` / `SCTP_CONNTRACK_` prefixes stripped, as Retis does.
 * A kernel without one of the enums gives an empty table: its states print
 * as numbers.
 */

/** The part of a BTF handle (as @retis/bpf-native's Btf) enum lookups need. */
export interface BtfEnumSource {
  findByName(name: string, kind?: string): number;
  type(id: number): { kind: string; name: string; values?: readonly { name: string; value: bigint }[] };
}

export interface ProtoStateNames {
  readonly tcp: ReadonlyMap<number, string>;
  readonly sctp: ReadonlyMap<number, string>;
}

function enumNames(btf: BtfEnumSource, name: string, prefix: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const kind of ['enum', 'enum64']) {
    const id = btf.findByName(name, kind);
    if (id < 0) continue;
    for (const v of btf.type(id).values ?? []) {
      // Negative sentinels are not states (the reference skips them too).
      if (v.value < 0n) continue;
      names.set(Number(v.value), v.name.startsWith(prefix) ? v.name.slice(prefix.length) : v.name);
    }
    break;
  }
  return names;
}

export function buildProtoStateNames(btf: BtfEnumSource): ProtoStateNames {
  return {
    tcp: enumNames(btf, 'tcp_conntrack', 'TCP_CONNTRACK_'),
    sctp: enumNames(btf, 'sctp_conntrack', 'SCTP_CONNTRACK_'),
  };
}
