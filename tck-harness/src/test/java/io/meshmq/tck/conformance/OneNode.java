package io.meshmq.tck.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An {@link EachTransport} case whose behaviour has no meaning with producer and consumer on different cluster
 * nodes: it is not run on the two-node mesh. The value says why, for the reader of the test.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface OneNode
{
    String value();
}
