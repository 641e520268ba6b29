/**
 * Spring Boot auto-configuration: an application with this jar and {@code meshmq.url} gets a MeshMQ
 * {@code ConnectionFactory}, and through Boot's JMS auto-configuration a {@code JmsTemplate} and
 * {@code @JmsListener} containers. Runs on the application's thread at start-up only.
 */
package io.meshmq.spring.boot;
