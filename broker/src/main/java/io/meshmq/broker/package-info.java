/**
 * The runnable broker: {@link io.meshmq.broker.Main} behind the {@code ./meshmq} launcher. Runs on the
 * launcher's main thread; the broker itself runs on its own threads.
 */
package io.meshmq.broker;
