/** Packet text as `print` shows it, without and with -e. */
import { formatPacket } from '../index';

export function print(data: Uint8Array): string {
  return formatPacket(data, { multiLine: true, utc: false, linkLayer: false });
}

export function printLinkLayer(data: Uint8Array): string {
  return formatPacket(data, { multiLine: true, utc: false, linkLayer: true });
}

export const TRUNCATED = '... (truncated or incomplete packet)';

export function notSupported(what: string): string {
  return `... (${what} not supported, use 'retis pcap')`;
}
