/** A tiny typed listener registry for a subscription's events; a throwing listener never breaks delivery. */
import type { SubscriptionEvent, SubscriptionEvents } from './types.ts'

type Listener<E extends SubscriptionEvent> = (detail: SubscriptionEvents[E]) => void

export class Emitter {
  readonly #listeners = new Map<SubscriptionEvent, Set<Listener<SubscriptionEvent>>>()

  on<E extends SubscriptionEvent>(event: E, listener: Listener<E>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`the ${event} listener must be a function`)
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(listener as Listener<SubscriptionEvent>)
    return () => void set.delete(listener as Listener<SubscriptionEvent>)
  }

  emit<E extends SubscriptionEvent>(event: E, detail: SubscriptionEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(detail)
      } catch (error) {
        // The app's listener failed: surface it without breaking the subscription.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}
