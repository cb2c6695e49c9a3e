import type { Address } from '@jetmart/common/contracts';
import { addressLines } from '@/lib/address';

/** An address as written on an envelope, one line each. */
export function AddressBlock({ address, testId }: { address: Address; testId?: string }) {
  return (
    <address className="address-block" data-testid={testId}>
      {addressLines(address).map((line, i) => (
        <span key={i}>{line}</span>
      ))}
    </address>
  );
}
