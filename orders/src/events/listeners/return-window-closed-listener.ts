import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { closeReturnWindow, type ShipmentReplicaModel } from '../../models';

/** A delivered part's return window ended (expiration's timer): no more return requests for it. */
export class ReturnWindowClosedListener extends Listener<typeof Subjects.ReturnWindowClosed> {
  readonly subject = Subjects.ReturnWindowClosed;

  constructor(
    bus: EventBus,
    private readonly replicas: ShipmentReplicaModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ReturnWindowClosed>,
    { log }: MessageContext<typeof Subjects.ReturnWindowClosed>,
  ): Promise<void> {
    const outcome = await closeReturnWindow(this.replicas, data.shipmentId);
    log.debug({ shipmentId: data.shipmentId, orderId: data.orderId, outcome }, 'return window closed');
  }
}
