/**
 * JMH benchmarks. Run with {@code java -jar jmh/target/benchmarks.jar}.
 */
package io.meshmq.jmh;
