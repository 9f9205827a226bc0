from django import forms

from preau.privacy.models import PrivacyNotice


class NoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["dpo_name", "dpo_email", "dpo_address", "extra_text"]
        widgets = {
            "dpo_address": forms.Textarea(attrs={"rows": 3}),
            "extra_text": forms.Textarea(attrs={"rows": 8}),
        }
