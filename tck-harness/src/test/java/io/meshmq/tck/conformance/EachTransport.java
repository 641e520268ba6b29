package io.meshmq.tck.conformance;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A conformance case, run over {@code tcp://} and over {@code vm://0} on one broker, and over {@code tcp://} with
 * the producer on one node of a two-node cluster and the consumer on the other (unless marked {@link OneNode});
 * the method takes a {@link Conformance} parameter.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(TransportsExtension.class)
public @interface EachTransport
{
}
