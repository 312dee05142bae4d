package followthrough.interop;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every message of each topic named on the command line, from the beginning to the current
 * end, with the CloudEvents SDK's CloudEventDeserializer. Prints one JSON line per topic:
 * {"topic": ..., "read": n, "refused": n, "types": n, "error": first refusal or null}.
 *
 * <p>Usage: CountEvents BOOTSTRAP TOPIC...
 */
public final class CountEvents {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(props)) {
      for (int i = 1; i < args.length; i++) {
        count(consumer, args[i]);
      }
    }
  }

  private static void count(KafkaConsumer<String, CloudEvent> consumer, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    consumer.partitionsFor(topic, Duration.ofSeconds(30))
        .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts);
    long read = 0;
    long refused = 0;
    long typed = 0;
    String error = null;
    while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      try {
        for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(500))) {
          read++;
          if (record.value() != null && record.value().getType() != null) {
            typed++;
          }
        }
      } catch (RecordDeserializationException e) {
        refused++;
        if (error == null) {
          error = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        }
        consumer.seek(e.topicPartition(), e.offset() + 1); // skip the message the SDK refused
      }
    }
    System.out.printf("{\"topic\": \"%s\", \"read\": %d, \"refused\": %d, \"types\": %d, \"error\": %s}%n",
        topic, read, refused, typed, error == null ? "null" : "\"" + error.replace("\"", "'") + "\"");
  }
}
