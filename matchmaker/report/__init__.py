"""Report: what people read about an outcome. tables (the plan table), analysis (reach, reasons per
booking, the frames behind the app's charts), i18n (the app's Chinese and English text). Never draws
and never imports streamlit: the app and the notebooks draw these frames.
"""
