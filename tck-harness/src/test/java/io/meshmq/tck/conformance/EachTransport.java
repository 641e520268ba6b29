package io.meshmq.tck.conformance;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A conformance case, run once over {@code tcp://} and once over {@code vm://0}; the method takes a
 * {@link Conformance} parameter.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(TransportsExtension.class)
public @interface EachTransport
{
}
