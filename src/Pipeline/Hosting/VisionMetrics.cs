using Prometheus;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Upload;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// The Prometheus metrics <c>/metrics</c> serves. Camera counters live in each camera's
/// <see cref="CameraHealth"/> and are copied in just before each scrape; labels carry camera ids only,
/// never source URLs (they may hold passwords). Process CPU and memory come with prometheus-net.
/// </summary>
internal sealed class VisionMetrics
{
    private readonly CollectorRegistry _registry;
    private readonly Gauge _state, _recordingState;
    private readonly Counter _received, _analysed, _dropped, _reconnects, _decodeErrors, _cases, _recordingFailures, _recordingOverruns, _clockSteps, _viewChanges;
    private readonly Gauge _frameQueue, _evidenceQueue, _configReloadFailed, _held, _heldBytes, _overCapacity, _analysedShare, _clockOffset;
    private readonly Counter _writeFailures, _photosDropped, _casesLost, _sameVehicle;
    private readonly Histogram _batchSize, _inferenceSeconds, _storedSeconds;
    private readonly Gauge _storeUp, _spoolBytes, _spoolCases, _spoolLimit, _databaseUp, _awaitingStore;
    private readonly Counter _databaseFailures;
    private long _heldLost;
    private readonly Counter _casesStored, _objectsUploaded, _objectsSkipped, _bytesUploaded, _uploadFailures;
    private readonly Gauge _outboxPending, _outboxDead, _outboxOldestSeconds;
    private readonly Counter _delivered, _deliveryRetries, _deadLettered, _rejectedByReceiver;
    private readonly Histogram _dispatchSeconds;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public VisionMetrics(CollectorRegistry registry, Func<IEnumerable<CameraHealth>> cameras, Func<int> frameQueue, Func<int> evidenceQueue, Func<EvidenceStorageSnapshot> evidence, Func<DispatchStatus?> dispatch,
        Func<EvidenceBacklogSnapshot> backlog)
    {
        _registry = registry;
        var f = Metrics.WithCustomRegistry(registry);
        _state = f.CreateGauge("vision_camera_state", "1 for the camera's current state, 0 for the others.", "camera", "state");
        _received = f.CreateCounter("vision_camera_frames_received_total", "Frames decoded for analysis.", "camera");
        _analysed = f.CreateCounter("vision_camera_frames_analysed_total", "Frames that went through detection, tracking and rules.", "camera");
        _dropped = f.CreateCounter("vision_camera_frames_dropped_total", "Frames replaced by a newer one before analysis (latest frame wins) or with no free buffer.", "camera");
        _reconnects = f.CreateCounter("vision_camera_reconnects_total", "Times the stream was reopened after a failure, stall or end.", "camera");
        _decodeErrors = f.CreateCounter("vision_camera_decode_errors_total", "Error lines ffmpeg reported while decoding.", "camera");
        _cases = f.CreateCounter("vision_cases_total", "Violations confirmed.", "camera");
        _recordingState = f.CreateGauge("vision_camera_recording_state", "1 for the state of the camera's recording (off, starting, ok, failing), 0 for the others.", "camera", "state");
        _recordingFailures = f.CreateCounter("vision_camera_recording_failures_total", "Times recording was off for a connection (disk nearly full) or a separate record stream failed, stalled or ended.", "camera");
        _recordingOverruns = f.CreateCounter("vision_camera_recording_overruns_total", "Recorded segments deleted by the byte cap while a clip still needed them.", "camera");
        _clockSteps = f.CreateCounter("vision_camera_clock_steps_total", "Times the wall clock stepped against the camera's stream time by more than 2 s (analysis time stays monotonic).", "camera");
        _viewChanges = f.CreateCounter("vision_camera_view_changes_total", "Times new-object detection saw the camera's whole view change (the camera moved, or the picture changed everywhere) and learned the scene again.", "camera");
        _frameQueue = f.CreateGauge("vision_frame_queue_depth", "Frames waiting for detection (at most one per camera).");
        _evidenceQueue = f.CreateGauge("vision_evidence_queue_depth", "Confirmed violations whose case is not complete yet (waiting for photos, for the post-roll, or held for a full disk).");
        _held = f.CreateGauge("vision_evidence_cases_held", "Cases the evidence disk refused, kept in memory and retried every 10 s (0 when the disk takes cases).");
        _heldBytes = f.CreateGauge("vision_evidence_held_bytes", "Memory the held cases' frame snapshots take.");
        _writeFailures = f.CreateCounter("vision_evidence_write_failures_total", "Attempts to write a case's evidence that failed (disk full or unwritable, queue full).");
        _photosDropped = f.CreateCounter("vision_evidence_photos_dropped_total", "Held cases that gave up their photos to keep memory bounded (the record is kept).");
        _casesLost = f.CreateCounter("vision_cases_lost_total", "Confirmed cases lost: given up before their files were complete (logged whole at critical level), or found cut off in the spool (moved to its lost/ folder). Cases kept in the spool and written later are not counted.");
        _sameVehicle = f.CreateCounter("vision_cases_same_vehicle_total", "Confirmed parking violations the plate check found to be a case already raised (same plate within the cooldown, or an unreadable plate in a reported spot).", "camera");
        _configReloadFailed = f.CreateGauge("vision_config_reload_failed", "1 when the last edit of the config file was refused (the previous config keeps running).");
        _overCapacity = f.CreateGauge("vision_node_over_capacity", "1 when the cameras got under 90 % of the frames their analysis.fps asks for over the last 10 s.");
        _clockOffset = f.CreateGauge("vision_node_clock_offset_seconds", "This node's clock minus the cluster database's, measured at each heartbeat (leases use the database's clock; frame and case times this node's). Absent for a node alone.",
            new GaugeConfiguration { SuppressInitialValue = true });
        _analysedShare = f.CreateGauge("vision_node_analysed_share", "Frames analysed over frames asked for by analysis.fps, cameras online the whole last 10 s.");
        _batchSize = f.CreateHistogram("vision_inference_batch_size", "Frames per detector call.", new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32] });
        _inferenceSeconds = f.CreateHistogram("vision_inference_seconds", "Detector call latency.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.002, 2, 12) });

        _storeUp = f.CreateGauge("vision_evidence_store_up", "1 when the evidence store answered the last upload or check, 0 while uploads are paused.");
        _spoolBytes = f.CreateGauge("vision_evidence_spool_bytes", "Bytes of evidence in the local spool waiting for upload.");
        _spoolCases = f.CreateGauge("vision_evidence_spool_cases", "Cases in the local spool waiting for upload.");
        _spoolLimit = f.CreateGauge("vision_evidence_spool_limit_bytes", "evidence.spool_max_bytes: at this size new cases keep photos only.");
        _casesStored = f.CreateCounter("vision_evidence_cases_stored_total", "Cases whose evidence reached the store (manifest last).");
        _objectsUploaded = f.CreateCounter("vision_evidence_objects_uploaded_total", "Evidence objects put into the store.");
        _objectsSkipped = f.CreateCounter("vision_evidence_objects_skipped_total", "Objects already in the store from an earlier try, not sent again.");
        _bytesUploaded = f.CreateCounter("vision_evidence_uploaded_bytes_total", "Bytes of evidence put into the store.");
        _uploadFailures = f.CreateCounter("vision_evidence_upload_failures_total", "Case uploads that failed and were retried later.");
        _databaseUp = f.CreateGauge("vision_case_database_up", "1 while the case database answers the node's loops, 0 while it is away (cases wait in the spool, deliveries in the outbox).");
        _databaseFailures = f.CreateCounter("vision_case_database_failures_total", "Statements of the node's loops that met the case database away (each was retried).");
        _awaitingStore = f.CreateGauge("vision_evidence_cases_awaiting_store", "Complete cases in the spool that wait to be written to the case store (their camera's lease is not back on this node yet).");
        _storedSeconds = f.CreateHistogram("vision_evidence_stored_seconds", "From confirmation to the case's evidence being in the store.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 14) });

        _outboxPending = f.CreateGauge("vision_dispatch_outbox_pending", "Cases released to the dispatch core and not yet accepted by it.");
        _outboxDead = f.CreateGauge("vision_dispatch_dead_letters", "Cases the publisher gave up on (see 'vision cases dead-letters').");
        _outboxOldestSeconds = f.CreateGauge("vision_dispatch_outbox_oldest_seconds", "Age of the oldest case waiting for delivery.");
        _delivered = f.CreateCounter("vision_dispatch_delivered_total", "Cases the dispatch core accepted.");
        _deliveryRetries = f.CreateCounter("vision_dispatch_retries_total", "Delivery attempts that failed and were scheduled again.");
        _deadLettered = f.CreateCounter("vision_dispatch_dead_lettered_total", "Deliveries turned into dead letters.");
        _rejectedByReceiver = f.CreateCounter("vision_dispatch_rejected_total", "Attempts the dispatch core refused with 401/403 (signature or key).");
        _dispatchSeconds = f.CreateHistogram("vision_dispatch_latency_seconds", "From confirmation to the dispatch core accepting the case.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.25, 2, 16) });

        registry.AddBeforeCollectCallback(() =>
        {
            foreach (var health in cameras()) Copy(health.Snapshot());
            _frameQueue.Set(frameQueue());
            _evidenceQueue.Set(evidenceQueue());
            var held = backlog();
            _held.Set(held.HeldCases);
            _heldBytes.Set(held.HeldBytes);
            _writeFailures.IncTo(held.Failures);
            _photosDropped.IncTo(held.PhotosDropped);
            _heldLost = held.CasesLost;
            Copy(evidence());
            if (dispatch() is { } d) Copy(d);
        });
    }

    public CollectorRegistry Registry => _registry;

    public void ObserveBatch(int size, TimeSpan latency)
    {
        _batchSize.Observe(size);
        _inferenceSeconds.Observe(latency.TotalSeconds);
    }

    public void ObserveCapacity(NodeCapacity capacity)
    {
        _overCapacity.Set(capacity.OverCapacity ? 1 : 0);
        _analysedShare.Set(capacity.AnalysedShare);
    }

    public void ObserveClockOffset(TimeSpan offset) => _clockOffset.Set(offset.TotalSeconds);

    public void ConfigReload(bool failed) => _configReloadFailed.Set(failed ? 1 : 0);

    public void SameVehicle(string cameraId) => _sameVehicle.WithLabels(cameraId).Inc();

    public void ObserveStored(TimeSpan sinceConfirmation) => _storedSeconds.Observe(Math.Max(0, sinceConfirmation.TotalSeconds));

    public void ObserveDispatched(TimeSpan sinceConfirmation) => _dispatchSeconds.Observe(Math.Max(0, sinceConfirmation.TotalSeconds));

    private void Copy(DispatchStatus d)
    {
        _outboxPending.Set(d.Pending);
        _outboxDead.Set(d.DeadLetters);
        _outboxOldestSeconds.Set(d.OldestPending is { } oldest ? Math.Max(0, (DateTimeOffset.UtcNow - oldest).TotalSeconds) : 0);
        _delivered.IncTo(d.Delivered);
        _deliveryRetries.IncTo(d.Retries);
        _deadLettered.IncTo(d.DeadLettered);
        _rejectedByReceiver.IncTo(d.RejectedByReceiver);
    }

    private void Copy(EvidenceStorageSnapshot e)
    {
        _casesLost.IncTo(_heldLost + e.SpoolCasesLost);
        if (e.Database is { } database)
        {
            _databaseUp.Set(database.Ok ? 1 : 0);
            _databaseFailures.IncTo(database.Failures);
        }
        _awaitingStore.Set(e.CasesAwaitingStore);
        _storeUp.Set(e.StoreOk ? 1 : 0);
        _spoolBytes.Set(e.SpooledBytes);
        _spoolCases.Set(e.SpooledCases);
        _spoolLimit.Set(e.SpoolLimitBytes);
        _casesStored.IncTo(e.CasesStored);
        _objectsUploaded.IncTo(e.ObjectsPut);
        _objectsSkipped.IncTo(e.ObjectsSkipped);
        _bytesUploaded.IncTo(e.BytesPut);
        _uploadFailures.IncTo(e.UploadFailures);
    }

    private void Copy(CameraSnapshot s)
    {
        foreach (var state in CameraStateNames.All)
        {
            string wire = state.ToWire();
            _state.WithLabels(s.Id, wire).Set(wire == s.State ? 1 : 0);
        }
        foreach (var state in RecordingStateNames.All)
        {
            string wire = state.ToWire();
            _recordingState.WithLabels(s.Id, wire).Set(wire == s.Recording ? 1 : 0);
        }
        _received.WithLabels(s.Id).IncTo(s.FramesReceived);
        _analysed.WithLabels(s.Id).IncTo(s.FramesAnalysed);
        _dropped.WithLabels(s.Id).IncTo(s.FramesDropped);
        _reconnects.WithLabels(s.Id).IncTo(s.Reconnects);
        _decodeErrors.WithLabels(s.Id).IncTo(s.DecodeErrors);
        _cases.WithLabels(s.Id).IncTo(s.Cases);
        _recordingFailures.WithLabels(s.Id).IncTo(s.RecordingFailures);
        _recordingOverruns.WithLabels(s.Id).IncTo(s.RecordingOverruns);
        _clockSteps.WithLabels(s.Id).IncTo(s.ClockSteps);
        _viewChanges.WithLabels(s.Id).IncTo(s.ViewChanges);
        _known.Add(s.Id);
    }
}
