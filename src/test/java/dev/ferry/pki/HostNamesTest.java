package dev.ferry.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {

    @ParameterizedTest
    @CsvSource({
            "localhost, localhost, true",
            "LocalHost, localhost., true",
            "*.example.com, files.example.com, true",
            "*.example.com, example.com, false",
            "*.example.com, a.b.example.com, false",
            "*.com, example.com, false",
            "f*.example.com, files.example.com, false",
            "*.*.example.com, a.b.example.com, false",
            "example.com, *.example.com, false",
    })
    void matchesDnsNamesWithOneLeftMostWildcardLabel(String pattern, String host, boolean expected) {
        assertThat(HostNames.matchesDns(pattern, host)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.255", "::1", "[::1]", "fe80::1", "::ffff:10.0.0.1"})
    void recognisesIpLiterals(String literal) {
        assertThat(HostNames.isIpLiteral(literal)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.1", "010.0.0.1", "256.0.0.1", "1.2.3.4.5", "g::1", "example.com"})
    void doesNotTakeAmbiguousOrInvalidTextForAnAddress(String text) {
        assertThat(HostNames.isIpLiteral(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "files.example.com", "*.example.com", "127.0.0.1", "::1", "WIN_HOST"})
    void acceptsServerNamesForCertificates(String name) {
        assertThatCode(() -> HostNames.checkServerName(name)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad name!| label 'bad name!' is not allowed",
            "a..b| it has an empty label",
            "*.com| a wildcard must be the left-most label",
            "a.*.com| a wildcard must be the left-most label",
            "-a.com| label '-a' is not allowed",
    })
    void refusesServerNamesThatAreNotDnsNames(String name, String reason) {
        assertThatThrownBy(() -> HostNames.checkServerName(name))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("'" + name + "' is not a DNS name or IP address: " + reason.strip());
    }
}
