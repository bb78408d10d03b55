package inference

// Positions of the features in the vector Features returns. The order is the
// model's input order: append new features at the end of a group only when
// retraining anyway, and never reuse a name for a different quantity.
const (
	// Heart rate and RR irregularity (from the R-peak series).
	fHRMeanBPM = iota
	fHRMedianBPM
	fHRMinBPM
	fHRMaxBPM
	fHRStdBPM
	fRRCV
	fRMSSDNorm
	fRMSSDCleanNorm
	fMADdRRNorm
	fPNN20
	fPNN50
	fTPR
	fSD1Norm
	fSD2Norm
	fSD1SD2
	fCOSEn
	fSampEnRR
	fAFEvNorm
	fIrrEvFrac
	fOriginFrac
	fRRHistEntropy
	fRRMaxRel
	fRRMinRel
	fRROutlierFrac
	fPremCompFrac
	fBigeminyFrac
	fRRACF1
	fRRACF2

	// Signal quality.
	fSQI
	fBSQI
	fKurtosis
	fQRSPowerRatio
	fBaselinePowerRatio
	fFlatFrac
	fClipFrac
	fRRImplausibleFrac
	fDetRateRatio

	// Atrial activity.
	fPAmpRel
	fPPresentFrac
	fPCorrMean
	fPRMs
	fPRStdMs
	fFWaveRatio
	fFWavePeakHz
	fFWaveConc
	fResidRMSRel

	// Beat morphology and ectopy.
	fQRSWidthMs
	fRAmpMV
	fSAmpRel
	fRSRatio
	fTAmpRel
	fSTRel
	fCorrQRSMean
	fCorrQRSMin
	fCorrLowFrac
	fCorrBeatMean
	fNClusters
	fDominantFrac
	fPremCorrMean
	fRAmpCV
	fInverted

	// Feature set 2, appended so that earlier positions keep their meaning.
	fSpecLowRel
	fSpecMidRel
	fSpecQRSRel
	fSpecHighRel
	fPrematureLocalFrac
	fPVCFrac
	fPACFrac
	fHRTrendBPM
	fRMSSDWinMaxNorm
	fRMSSDWinMinNorm
	fTPeakMs
	fSkewness
	fGoodRRFrac
	fRMSSDGoodNorm
	fMADdRRGoodNorm
	fPNN50Good
	fTPRGood
	fCOSEnGood
	// Feature set 3: the template sampled at templateOffsetsMs.
	fTmpl0
	fTmplLast = fTmpl0 + len(templateOffsetsMs) - 1

	numFeatures = fTmplLast + 1
)

// featureNames is read-only: FeatureNames hands out copies.
var featureNames = [numFeatures]string{
	fHRMeanBPM:      "hr_mean_bpm",
	fHRMedianBPM:    "hr_median_bpm",
	fHRMinBPM:       "hr_min_bpm",
	fHRMaxBPM:       "hr_max_bpm",
	fHRStdBPM:       "hr_std_bpm",
	fRRCV:           "rr_cv",
	fRMSSDNorm:      "rmssd_norm",
	fRMSSDCleanNorm: "rmssd_clean_norm",
	fMADdRRNorm:     "mad_drr_norm",
	fPNN20:          "pnn20",
	fPNN50:          "pnn50",
	fTPR:            "tpr",
	fSD1Norm:        "sd1_norm",
	fSD2Norm:        "sd2_norm",
	fSD1SD2:         "sd1_sd2",
	fCOSEn:          "cosen",
	fSampEnRR:       "sampen_rr",
	fAFEvNorm:       "afev_norm",
	fIrrEvFrac:      "irrev_frac",
	fOriginFrac:     "origin_frac",
	fRRHistEntropy:  "rr_hist_entropy",
	fRRMaxRel:       "rr_max_rel",
	fRRMinRel:       "rr_min_rel",
	fRROutlierFrac:  "rr_outlier_frac",
	fPremCompFrac:   "prem_comp_frac",
	fBigeminyFrac:   "bigeminy_frac",
	fRRACF1:         "rr_acf1",
	fRRACF2:         "rr_acf2",

	fSQI:                "sqi",
	fBSQI:               "bsqi",
	fKurtosis:           "kurtosis",
	fQRSPowerRatio:      "qrs_power_ratio",
	fBaselinePowerRatio: "baseline_power_ratio",
	fFlatFrac:           "flat_frac",
	fClipFrac:           "clip_frac",
	fRRImplausibleFrac:  "rr_implausible_frac",
	fDetRateRatio:       "det_rate_ratio",

	fPAmpRel:      "p_amp_rel",
	fPPresentFrac: "p_present_frac",
	fPCorrMean:    "p_corr_mean",
	fPRMs:         "pr_ms",
	fPRStdMs:      "pr_std_ms",
	fFWaveRatio:   "fwave_ratio",
	fFWavePeakHz:  "fwave_peak_hz",
	fFWaveConc:    "fwave_conc",
	fResidRMSRel:  "resid_rms_rel",

	fQRSWidthMs:   "qrs_width_ms",
	fRAmpMV:       "r_amp_mv",
	fSAmpRel:      "s_amp_rel",
	fRSRatio:      "rs_ratio",
	fTAmpRel:      "t_amp_rel",
	fSTRel:        "st_rel",
	fCorrQRSMean:  "corr_qrs_mean",
	fCorrQRSMin:   "corr_qrs_min",
	fCorrLowFrac:  "corr_low_frac",
	fCorrBeatMean: "corr_beat_mean",
	fNClusters:    "n_clusters",
	fDominantFrac: "dominant_frac",
	fPremCorrMean: "prem_corr_mean",
	fRAmpCV:       "r_amp_cv",
	fInverted:     "inverted",

	fSpecLowRel:         "spec_0_3hz_rel",
	fSpecMidRel:         "spec_3_8hz_rel",
	fSpecQRSRel:         "spec_8_15hz_rel",
	fSpecHighRel:        "spec_15_24hz_rel",
	fPrematureLocalFrac: "prem_local_frac",
	fPVCFrac:            "pvc_frac",
	fPACFrac:            "pac_frac",
	fHRTrendBPM:         "hr_trend_bpm",
	fRMSSDWinMaxNorm:    "rmssd_win_max_norm",
	fRMSSDWinMinNorm:    "rmssd_win_min_norm",
	fTPeakMs:            "t_peak_ms",
	fSkewness:           "skewness",
	fGoodRRFrac:         "good_rr_frac",
	fRMSSDGoodNorm:      "rmssd_good_norm",
	fMADdRRGoodNorm:     "mad_drr_good_norm",
	fPNN50Good:          "pnn50_good",
	fTPRGood:            "tpr_good",
	fCOSEnGood:          "cosen_good",
	fTmpl0 + 0:          "tmpl_m240ms_rel",
	fTmpl0 + 1:          "tmpl_m180ms_rel",
	fTmpl0 + 2:          "tmpl_m120ms_rel",
	fTmpl0 + 3:          "tmpl_m60ms_rel",
	fTmpl0 + 4:          "tmpl_p40ms_rel",
	fTmpl0 + 5:          "tmpl_p80ms_rel",
	fTmpl0 + 6:          "tmpl_p160ms_rel",
	fTmpl0 + 7:          "tmpl_p240ms_rel",
	fTmpl0 + 8:          "tmpl_p320ms_rel",
	fTmpl0 + 9:          "tmpl_p400ms_rel",
}

// FeatureNames returns the names of the model's input features, in the order
// of the vector Features returns. The list is stable for a model version: the
// trainer stores it in the ONNX metadata and the runtime checks it at load.
// The caller owns the returned slice.
func FeatureNames() []string {
	out := make([]string, numFeatures)
	copy(out, featureNames[:])
	return out
}
