/**
 * The processor's plug-in seam: what an extension (the cluster layer) gives the processor
 * ({@link io.meshmq.engine.extension.ProcessorExtension}) and what the processor lets it see and do
 * ({@link io.meshmq.engine.extension.EngineControl}). Every call either way is made on the processor thread, so an
 * extension owns its state the way the processor owns queues: without locks. How an extension is found and made
 * ({@link io.meshmq.engine.extension.ExtensionProvider}) is decided once at start-up, before that thread runs.
 */
package io.meshmq.engine.extension;
