//! One trace from the api's span that enqueued a push, through the job, to the ShipStation
//! call: the trace context travels in the job payload.

mod common;

use apalis::prelude::{Data, TaskId};
use common::{sales, test_config, TestEnv};
use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use quayside_tests::fake_shipstation::FakeConfig;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::test]
async fn the_job_and_its_shipstation_call_join_the_enqueuing_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 2).await;

    // What receiveResponseXML does: enqueue inside its own span.
    let mut job = env.job(&ids);
    {
        let api_span = tracing::info_span!("receiveResponseXML");
        let _in = api_span.enter();
        job.trace = shared::telemetry::current_trace_context();
    }
    assert!(job.trace.contains_key("traceparent"), "{:?}", job.trace);

    worker::tasks::order_push_task(job, Data::new(ctx), TaskId::from(1u64))
        .await
        .expect("job");
    let _ = provider.force_flush();

    let spans = exporter.get_finished_spans().expect("spans");
    let find = |name: &str| {
        spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
            panic!(
                "no {name} span in {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        })
    };
    let api = find("receiveResponseXML");
    let job_span = find("order_push");
    let call = spans
        .iter()
        .find(|s| {
            s.name == "shipstation"
                && s.parent_span_id != SpanId::INVALID
                && s.span_context.trace_id() == api.span_context.trace_id()
                && s.attributes
                    .iter()
                    .any(|kv| kv.value.as_str().contains("createorders"))
        })
        .expect("the createorders call in the same trace");
    assert_ne!(api.span_context.trace_id(), TraceId::INVALID);
    assert_eq!(
        job_span.span_context.trace_id(),
        api.span_context.trace_id()
    );
    assert_eq!(job_span.parent_span_id, api.span_context.span_id());
    assert_eq!(call.span_context.trace_id(), api.span_context.trace_id());
}
