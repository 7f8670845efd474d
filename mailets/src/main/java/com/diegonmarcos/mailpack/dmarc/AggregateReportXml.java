package com.diegonmarcos.mailpack.dmarc;

import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The XML of a DMARC aggregate report (RFC 7489 §7.2, Appendix C schema, namespace
 * {@value #NAMESPACE}): records with the same source, identifiers, evaluation and results are one
 * row with a count. Text comes from DNS and messages: the XML writer escapes it; control
 * characters are replaced.
 */
public final class AggregateReportXml {
    public static final String NAMESPACE = "http://dmarc.org/dmarc-xml/0.1";

    private AggregateReportXml() {
    }

    /** Who reports. */
    public record Reporter(String orgName, String email) {
    }

    /**
     * @param records the records of one policy domain over [begin, end)
     */
    public static String write(Reporter reporter, String reportId, Instant begin, Instant end, List<AggregateRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one record");
        }
        AggregateRecord.Published published = records.get(records.size() - 1).published();
        Map<AggregateRecord, Integer> rows = new LinkedHashMap<>();
        for (AggregateRecord record : records) {
            rows.merge(rowKey(record), 1, Integer::sum);
        }
        try {
            StringWriter out = new StringWriter();
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("feedback");
            xml.writeDefaultNamespace(NAMESPACE);
            element(xml, "version", "1.0");
            xml.writeStartElement("report_metadata");
            element(xml, "org_name", reporter.orgName());
            element(xml, "email", reporter.email());
            element(xml, "report_id", reportId);
            xml.writeStartElement("date_range");
            element(xml, "begin", String.valueOf(begin.getEpochSecond()));
            element(xml, "end", String.valueOf(end.getEpochSecond() - 1));
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeStartElement("policy_published");
            element(xml, "domain", published.domain());
            element(xml, "adkim", published.adkim());
            element(xml, "aspf", published.aspf());
            element(xml, "p", published.p());
            element(xml, "sp", published.sp());
            element(xml, "pct", String.valueOf(published.pct()));
            element(xml, "fo", "0");
            xml.writeEndElement();
            for (Map.Entry<AggregateRecord, Integer> row : rows.entrySet()) {
                AggregateRecord record = row.getKey();
                xml.writeStartElement("record");
                xml.writeStartElement("row");
                element(xml, "source_ip", record.sourceIp());
                element(xml, "count", String.valueOf(row.getValue()));
                xml.writeStartElement("policy_evaluated");
                element(xml, "disposition", record.disposition());
                element(xml, "dkim", record.dkimAligned());
                element(xml, "spf", record.spfAligned());
                if (!record.override().isEmpty()) {
                    xml.writeStartElement("reason");
                    element(xml, "type", record.override());
                    xml.writeEndElement();
                }
                xml.writeEndElement();
                xml.writeEndElement();
                xml.writeStartElement("identifiers");
                element(xml, "header_from", record.headerFrom());
                xml.writeEndElement();
                xml.writeStartElement("auth_results");
                for (AggregateRecord.Dkim dkim : record.dkim()) {
                    xml.writeStartElement("dkim");
                    element(xml, "domain", dkim.domain());
                    if (!dkim.selector().isEmpty()) {
                        element(xml, "selector", dkim.selector());
                    }
                    element(xml, "result", dkim.result());
                    xml.writeEndElement();
                }
                xml.writeStartElement("spf");
                element(xml, "domain", record.spf().domain());
                element(xml, "scope", record.spf().scope());
                element(xml, "result", record.spf().result());
                xml.writeEndElement();
                xml.writeEndElement();
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
            return out.toString();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the report: " + e.getMessage(), e);
        }
    }

    /** The record without what differs between messages of one row (time, rua, published policy). */
    private static AggregateRecord rowKey(AggregateRecord record) {
        return new AggregateRecord(0, record.policyDomain(), record.headerFrom(), record.sourceIp(), record.disposition(),
            record.dkimAligned(), record.spfAligned(), record.override(), new ArrayList<>(record.dkim()), record.spf(), null, List.of());
    }

    private static void element(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
        xml.writeStartElement(name);
        xml.writeCharacters(text.replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "?"));
        xml.writeEndElement();
    }
}
