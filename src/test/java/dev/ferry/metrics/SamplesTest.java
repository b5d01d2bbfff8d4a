package dev.ferry.metrics;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplesTest {
    @Test
    void readsNamesLabelsAndValuesAndSkipsComments() {
        Samples samples = Samples.parse("""
                # HELP ferry_x_total Things
                # TYPE ferry_x_total counter
                ferry_x_total{protocol="cp2",reason="a \\"quoted\\" one, with\\\\ and\\n"} 3.0
                ferry_x_total{protocol="ap"} 1.5E1 1700000000000
                ferry_y 0.0
                ferry_z{le="+Inf"} +Inf
                """);

        assertThat(samples.all()).hasSize(4);
        assertThat(samples.all().get(0).labels()).isEqualTo(Map.of("protocol", "cp2",
                "reason", "a \"quoted\" one, with\\ and\n"));
        assertThat(samples.sum("ferry_x_total")).isEqualTo(18.0);
        assertThat(samples.sum("ferry_x_total", labels -> "ap".equals(labels.get("protocol")))).isEqualTo(15.0);
        assertThat(samples.sum("ferry_missing")).isZero();
        assertThat(samples.label("ferry_x_total", "protocol")).isEqualTo("cp2");
        assertThat(samples.sum("ferry_z")).isInfinite();
    }

    @Test
    void rejectsALineThatIsNotASampleWithItsNumber() {
        assertThatThrownBy(() -> Samples.parse("ok 1\n<html>\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
    }
}
